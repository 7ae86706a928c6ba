"""ERP employee master data: import employees and employments (stillinger) from the ERP's export files."""
