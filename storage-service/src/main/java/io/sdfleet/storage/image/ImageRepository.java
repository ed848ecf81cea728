package io.sdfleet.storage.image;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;

/** The {@code images} table. Inserts are idempotent on (job_id, image_index). */
@Repository
public class ImageRepository {

    private final JdbcClient jdbc;

    public ImageRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Inserts the row unless the request's image of that index is already stored (by any job: a request re-split
     * after a scheduler restart gives its images other job ids); returns whether this call inserted it.
     */
    public boolean insertIfAbsent(ImageMetadata m, String objectKey, long sizeBytes) {
        int inserted = jdbc.sql("""
                        INSERT INTO images (request_id, job_id, image_index, user_name, seed, prompt, negative_prompt,
                                            parameters, infotext, model, worker_id, pipeline_seconds, peak_memory_bytes,
                                            object_key, size_bytes)
                        VALUES (:request, :job, :index, :user, :seed, :prompt, :negative, CAST(:parameters AS jsonb),
                                :infotext, :model, :worker, :seconds, :peak, :key, :size)
                        ON CONFLICT (request_id, image_index) DO NOTHING""")
                .param("request", m.requestId()).param("job", m.jobId()).param("index", m.imageIndex())
                .param("user", m.user()).param("seed", m.seed()).param("prompt", m.prompt())
                .param("negative", m.negativePrompt()).param("parameters", m.parametersJson())
                .param("infotext", m.infotext()).param("model", m.model()).param("worker", m.workerId())
                .param("seconds", m.pipelineSeconds()).param("peak", m.peakMemoryBytes())
                .param("key", objectKey).param("size", sizeBytes)
                .update();
        return inserted == 1;
    }

    public List<StoredImage> ofRequest(String requestId) {
        return jdbc.sql(SELECT + " WHERE request_id = :request ORDER BY image_index")
                .param("request", requestId).query(ImageRepository::row).list();
    }

    public Optional<StoredImage> find(String requestId, int imageIndex) {
        return jdbc.sql(SELECT + " WHERE request_id = :request AND image_index = :index")
                .param("request", requestId).param("index", imageIndex).query(ImageRepository::row).optional();
    }

    private static final String SELECT = """
            SELECT request_id, job_id, image_index, user_name, seed, prompt, model, worker_id, object_key, size_bytes,
                   created_at FROM images""";

    private static StoredImage row(ResultSet rs, int n) throws SQLException {
        Timestamp created = rs.getTimestamp("created_at");
        return new StoredImage(rs.getString("request_id"), rs.getString("job_id"), rs.getInt("image_index"),
                rs.getString("user_name"), rs.getLong("seed"), rs.getString("prompt"), rs.getString("model"),
                rs.getString("worker_id"), rs.getString("object_key"), rs.getLong("size_bytes"), created.toInstant());
    }
}
