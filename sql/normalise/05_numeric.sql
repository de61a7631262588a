-- Numeric helpers shared by normalisation, rules and measures (no clinical number here).
-- exact(x): x rounded to 9 decimals, so a unit conversion or a ratio that is exactly a limit in decimal
-- (9 cells/uL x 0.001, 2.1 / 3.0) is not moved across that limit by binary floating-point rounding.
create or replace macro exact(x) as round(x, 9);
