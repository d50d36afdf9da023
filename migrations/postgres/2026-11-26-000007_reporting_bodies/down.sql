DROP TABLE reporting_bodies;
