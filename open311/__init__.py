"""Open311 GeoReport v2: partner apps file and follow help requests with an API key."""
