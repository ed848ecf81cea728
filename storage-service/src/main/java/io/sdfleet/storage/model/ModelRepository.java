package io.sdfleet.storage.model;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** The {@code models} table; inserts are idempotent on sha256. */
@Repository
public class ModelRepository {

    private static final String SELECT = """
            SELECT id, kind, name, sha256, model_hash, legacy_hash, size_bytes, object_key, uploaded_by, created_at
            FROM models""";

    private final JdbcClient jdbc;

    public ModelRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Inserts unless the sha256 (or kind and name) is already registered; returns whether this call inserted. */
    public boolean insertIfAbsent(ModelKind kind, String name, ModelDigest.Hashes hashes, long size, String objectKey,
                                  String uploadedBy) {
        return jdbc.sql("""
                        INSERT INTO models (kind, name, sha256, model_hash, legacy_hash, size_bytes, object_key, uploaded_by)
                        VALUES (:kind, :name, :sha, :hash, :legacy, :size, :key, :by)
                        ON CONFLICT DO NOTHING""")
                .param("kind", kind.id()).param("name", name).param("sha", hashes.sha256())
                .param("hash", hashes.modelHash()).param("legacy", hashes.legacyHash()).param("size", size)
                .param("key", objectKey).param("by", uploadedBy)
                .update() == 1;
    }

    public List<StoredModel> all(Optional<ModelKind> kind) {
        return kind.map(k -> jdbc.sql(SELECT + " WHERE kind = :kind ORDER BY name").param("kind", k.id()))
                .orElseGet(() -> jdbc.sql(SELECT + " ORDER BY kind, name"))
                .query(ModelRepository::row).list();
    }

    public Optional<StoredModel> bySha256(String sha256) {
        return jdbc.sql(SELECT + " WHERE sha256 = :sha").param("sha", sha256).query(ModelRepository::row).optional();
    }

    public Optional<StoredModel> byName(ModelKind kind, String name) {
        return jdbc.sql(SELECT + " WHERE kind = :kind AND name = :name").param("kind", kind.id()).param("name", name)
                .query(ModelRepository::row).optional();
    }

    public boolean delete(String sha256) {
        return jdbc.sql("DELETE FROM models WHERE sha256 = :sha").param("sha", sha256).update() == 1;
    }

    private static StoredModel row(ResultSet rs, int n) throws SQLException {
        return new StoredModel(rs.getLong("id"), rs.getString("kind"), rs.getString("name"), rs.getString("sha256"),
                rs.getString("model_hash"), rs.getString("legacy_hash"), rs.getLong("size_bytes"),
                rs.getString("object_key"), rs.getString("uploaded_by"), rs.getTimestamp("created_at").toInstant());
    }
}
