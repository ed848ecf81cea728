package io.sdfleet.storage.model;

import io.sdfleet.storage.image.ObjectStore;
import io.sdfleet.storage.image.S3Properties;
import org.springframework.stereotype.Service;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Model files in the models bucket, registered in PostgreSQL. An upload streams to S3 in bounded parts while it is
 * hashed (multi-GB checkpoints never sit in memory), and only then is the row written, so a row never points at
 * missing bytes. The same bytes uploaded twice are one entry: the second copy is deleted and the first returned.
 */
@Service
public class ModelStore {

    /** S3's smallest allowed multipart part; one such buffer is all an upload holds in memory. */
    static final int PART_SIZE = 8 * 1024 * 1024;

    private final ObjectStore objects;
    private final ModelRepository rows;
    private final String bucket;

    public ModelStore(ObjectStore objects, ModelRepository rows, S3Properties properties) {
        this.objects = objects;
        this.rows = rows;
        this.bucket = properties.modelsBucket();
    }

    public Stored upload(ModelKind kind, String name, InputStream body, String uploadedBy) throws IOException {
        ModelNames.check(kind, name);
        String key = "models/" + kind.id() + "/" + UUID.randomUUID() + "/" + name;
        ModelDigest digest = new ModelDigest(body);
        long size = objects.putStream(bucket, key, digest, PART_SIZE);
        ModelDigest.Hashes hashes = digest.finish();
        if (size == 0) {
            objects.delete(bucket, key);
            throw new IllegalArgumentException("file: empty upload");
        }
        Optional<StoredModel> same = rows.bySha256(hashes.sha256());
        if (same.isPresent()) {
            objects.delete(bucket, key);
            return new Stored(same.get(), false);
        }
        if (!rows.insertIfAbsent(kind, name, hashes, size, key, uploadedBy)) {
            objects.delete(bucket, key);
            Optional<StoredModel> raced = rows.bySha256(hashes.sha256());
            if (raced.isPresent()) {
                return new Stored(raced.get(), false);
            }
            throw new NameTakenException(kind.id() + " '" + name + "' already exists with other contents (sha256 "
                    + rows.byName(kind, name).map(StoredModel::sha256).orElse("?") + "); delete it first or pick another name");
        }
        return new Stored(rows.bySha256(hashes.sha256()).orElseThrow(), true);
    }

    public List<StoredModel> list(Optional<ModelKind> kind) {
        return rows.all(kind);
    }

    public Optional<StoredModel> find(String sha256) {
        return rows.bySha256(sha256);
    }

    public ResponseInputStream<GetObjectResponse> open(StoredModel model) {
        return objects.open(bucket, model.objectKey());
    }

    /** Removes the row first (nobody finds it any more), then the bytes. */
    public boolean delete(String sha256) {
        Optional<StoredModel> model = rows.bySha256(sha256);
        if (model.isEmpty() || !rows.delete(sha256)) {
            return false;
        }
        objects.delete(bucket, model.get().objectKey());
        return true;
    }

    public record Stored(StoredModel model, boolean created) {
    }

    /** Another file is registered under this kind and name: answered 409. */
    public static class NameTakenException extends RuntimeException {
        public NameTakenException(String message) {
            super(message);
        }
    }
}
