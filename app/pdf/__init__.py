"""PDF rendering with WeasyPrint: data in, bytes out, and only the app's own files fetched."""
