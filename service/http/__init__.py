"""HTTP transport: the FastAPI app, its routes and error mapping. No domain logic lives here."""
