"""E-mail: Django's SMTP backend in production; ``simulator.SmtpSimulator`` speaks SMTP on loopback for tests."""
