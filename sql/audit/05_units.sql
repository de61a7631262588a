-- Unit conversions the rules use, so that no rule file carries a conversion factor as a literal.
create or replace macro mg_to_g(mg) as mg / 1000.0;
