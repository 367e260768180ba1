"""Time the main pages in-process, as the personas who use them, and print a table:
queries, median and 95th-percentile time, response size, and the process's peak memory.

Run by `make bench` on a database holding the demo plus `generate_scale` load.
"""

import resource
import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from accounts.models import User
from evaluations.models import Round
from products.models import Product

PAGES = [
    ("province", "portal-home", {}, ""),
    ("province", "producers:producer-list", {}, ""),
    ("province", "products:product-list", {}, ""),
    ("province", "products:product-list", {}, "?q=san pham 0123"),
    ("province", "products:dossier-list", {}, ""),
    ("laivung", "products:dossier-list", {}, ""),
    ("province", "plans:dashboard", {}, "?year=2021"),
    ("province", "evaluations:round-list", {}, ""),
    ("council2", "evaluations:round-detail", {"pk": "round"}, ""),
    (None, "public-home", {}, ""),
    (None, "public-home", {}, "?q=sen"),
    (None, "public-product", {"code": "product"}, ""),
]


class Command(BaseCommand):
    help = "Time the main pages and print queries, latency and memory."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=7)

    def handle(self, *args, **options):
        if "testserver" not in settings.ALLOWED_HOSTS:
            raise CommandError(
                "Add testserver to DJANGO_ALLOWED_HOSTS (make bench does)."
            )
        products = Product.objects.count()
        self.stdout.write(f"Database: {connection.vendor}, {products} products.")
        round_ = Round.objects.order_by("-pk").first()
        recognised = Product.objects.filter(current_stars__isnull=False).first()
        samples = {
            "round": round_.pk if round_ else 0,
            "product": recognised.code if recognised else "x",
        }
        header = f"{'page':<48} {'as':<9} {'status':>6} {'queries':>7} {'median ms':>9} {'p95 ms':>7} {'KB':>6}"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        clients = {}
        for username, name, kwargs, query in PAGES:
            try:
                url = reverse(
                    name, kwargs={k: samples.get(v, v) for k, v in kwargs.items()}
                )
            except NoReverseMatch:
                continue
            url += query
            if username not in clients:
                client = Client()
                if username:
                    client.force_login(User.objects.get(username=username))
                clients[username] = client
            client = clients[username]
            client.get(url)  # warm up caches and templates
            timings = []
            for _ in range(options["repeat"]):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            p95 = timings[min(len(timings) - 1, int(round(0.95 * (len(timings) - 1))))]
            self.stdout.write(
                f"{url[:48]:<48} {username or 'public':<9} {response.status_code:>6} "
                f"{len(queries):>7} {statistics.median(timings):>9.1f} {p95:>7.1f} "
                f"{len(response.content) // 1024:>6}"
            )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        self.stdout.write(f"Peak memory of the process: {peak} MB.")
