"""mapdesk: a desktop GIS viewer for protected trees, theft hotspots and CCTV planning."""

__version__ = "0.1.0"
