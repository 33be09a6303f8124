DROP TABLE audit_photos;
