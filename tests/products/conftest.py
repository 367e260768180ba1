from tests.producers.conftest import (  # noqa: F401
    catalogue,
    council_member,
    lai_vung,
    thap_muoi,
)
