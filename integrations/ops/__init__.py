"""Operations: the admin overview of every integration, and the wiring of letters, archive and ERP."""
