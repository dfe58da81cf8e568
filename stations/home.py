"""What the home page shows about stations."""

from .models import Amenity


def home_context() -> dict:
    """Return the key amenities for the home page's shortcuts (one query)."""
    return {"station_amenities": list(Amenity.objects.filter(key=True))}
