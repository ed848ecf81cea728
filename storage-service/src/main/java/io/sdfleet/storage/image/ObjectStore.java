package io.sdfleet.storage.image;

import org.springframework.stereotype.Component;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.core.ResponseInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The image bucket: put and get PNG bytes by key; buckets are created on first use. Large objects (model files)
 * are streamed in and out in bounded parts through {@link #putStream} and {@link #open}.
 */
@Component
public class ObjectStore implements AutoCloseable {

    private final S3Client s3;
    private final String bucket;
    private final Set<String> readyBuckets = ConcurrentHashMap.newKeySet();

    public ObjectStore(S3Properties properties) {
        this.bucket = properties.bucket();
        this.s3 = S3Client.builder()
                .endpointOverride(URI.create(properties.endpoint()))
                .region(Region.of(properties.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(properties.accessKey(), properties.secretKey())))
                .forcePathStyle(true)
                // S3-compatible servers (MinIO, S3Proxy) vary in support for the SDK's newer default of streamed
                // payloads with trailing checksums; plain signed payloads work everywhere.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    /** Writes (or overwrites with the same bytes, on a redelivery) one object. */
    public void put(String key, byte[] png) {
        ensureBucket();
        s3.putObject(b -> b.bucket(bucket).key(key).contentType("image/png"), RequestBody.fromBytes(png));
    }

    public byte[] get(String key) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    }

    /**
     * Streams {@code in} into {@code bucketName/key} holding at most one part ({@code partSize} bytes, at least the
     * 5 MiB S3 minimum) in memory: one PUT when it all fits in the first part, else a multipart upload, aborted on
     * any failure so no half object stays behind. Returns the number of bytes written.
     */
    public long putStream(String bucketName, String key, InputStream in, int partSize) throws IOException {
        ensureBucket(bucketName);
        byte[] first = in.readNBytes(partSize);
        if (first.length < partSize) {
            s3.putObject(b -> b.bucket(bucketName).key(key).contentType("application/octet-stream"),
                    RequestBody.fromBytes(first));
            return first.length;
        }
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucketName).key(key)
                .contentType("application/octet-stream")).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            long total = 0;
            byte[] part = first;
            while (part.length > 0) {
                int number = parts.size() + 1;
                byte[] body = part;
                String etag = s3.uploadPart(b -> b.bucket(bucketName).key(key).uploadId(uploadId).partNumber(number)
                        .contentLength((long) body.length), RequestBody.fromBytes(body)).eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                total += part.length;
                part = in.readNBytes(partSize);
            }
            s3.completeMultipartUpload(b -> b.bucket(bucketName).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
            return total;
        } catch (IOException | RuntimeException e) {
            try {
                s3.abortMultipartUpload(b -> b.bucket(bucketName).key(key).uploadId(uploadId));
            } catch (RuntimeException ignored) {
                // the original failure is what matters
            }
            throw e;
        }
    }

    /** The object's bytes as a stream (the caller closes it); nothing is buffered beyond the HTTP client's. */
    public ResponseInputStream<GetObjectResponse> open(String bucketName, String key) {
        return s3.getObject(b -> b.bucket(bucketName).key(key));
    }

    public void delete(String bucketName, String key) {
        s3.deleteObject(b -> b.bucket(bucketName).key(key));
    }

    private void ensureBucket() {
        ensureBucket(bucket);
    }

    private void ensureBucket(String name) {
        if (readyBuckets.contains(name)) {
            return;
        }
        try {
            s3.headBucket(b -> b.bucket(name));
        } catch (NoSuchBucketException e) {
            try {
                s3.createBucket(b -> b.bucket(name));
            } catch (BucketAlreadyOwnedByYouException raced) {
                // another instance created it first
            }
        }
        readyBuckets.add(name);
    }

    @Override
    public void close() {
        s3.close();
    }
}
