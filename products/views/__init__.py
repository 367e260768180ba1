"""Products and their photos in products.py; dossiers, their documents and their
review in dossiers.py."""
