"""Letters to persons: rendered to PDF with weasyprint and sent through SvarUt via the outbox."""
