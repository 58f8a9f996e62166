"""SalesCoach: a sales-coaching chat service built on five Chinese key-account handbooks."""

__version__ = "0.1.0"
