"""KS Fiks SvarUt: sending letters (forsendelser) to digital mailboxes or print, and following their status."""
