DROP TABLE signatures;
DROP TABLE obligation_indicators;
DROP TABLE obligations;
DROP TABLE agreements;
DROP TABLE agreement_templates;
DROP TABLE indicators;
