-- The Kennzahlen of § 48a SGB II: quotients per month, as percent or ratio (signed fixed
-- decimals in `value_int`, scaled by 10^4 and 10^6).
ALTER TABLE indicators DROP CONSTRAINT indicators_unit_check;
ALTER TABLE indicators ADD CONSTRAINT indicators_unit_check
    CHECK (unit IN ('count', 'eur', 'percent', 'ratio', 'text'));
ALTER TABLE indicators DROP CONSTRAINT indicators_measure_check;
ALTER TABLE indicators ADD CONSTRAINT indicators_measure_check
    CHECK (measure IN ('stock', 'flow', 'report', 'quotient'));
ALTER TABLE transmission_indicators DROP CONSTRAINT transmission_indicators_unit_check;
ALTER TABLE transmission_indicators ADD CONSTRAINT transmission_indicators_unit_check
    CHECK (unit IN ('count', 'eur', 'percent', 'ratio', 'text'));
ALTER TABLE transmission_rows DROP CONSTRAINT transmission_rows_unit_check;
ALTER TABLE transmission_rows ADD CONSTRAINT transmission_rows_unit_check
    CHECK (unit IN ('count', 'eur', 'percent', 'ratio', 'text'));
ALTER TABLE submission_values DROP CONSTRAINT submission_values_unit_check;
ALTER TABLE submission_values ADD CONSTRAINT submission_values_unit_check
    CHECK (unit IN ('count', 'eur', 'percent', 'ratio', 'text'));
