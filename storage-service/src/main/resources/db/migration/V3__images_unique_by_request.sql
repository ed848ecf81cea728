-- An image is (request, index): a request re-split into other jobs (a scheduler restart) must not store an index
-- twice, and reads look images up by (request, index) too. Rows that repeat an index keep the first stored.
DELETE FROM images a USING images b
 WHERE a.request_id = b.request_id AND a.image_index = b.image_index AND a.id > b.id;
ALTER TABLE images DROP CONSTRAINT images_job_image;
DROP INDEX images_by_request;
ALTER TABLE images ADD CONSTRAINT images_request_image UNIQUE (request_id, image_index);
