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
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;

import java.net.URI;

/** The image bucket: put and get PNG bytes by key; the bucket is created on first use. */
@Component
public class ObjectStore implements AutoCloseable {

    private final S3Client s3;
    private final String bucket;
    private volatile boolean bucketReady;

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

    private void ensureBucket() {
        if (bucketReady) {
            return;
        }
        try {
            s3.headBucket(b -> b.bucket(bucket));
        } catch (NoSuchBucketException e) {
            try {
                s3.createBucket(b -> b.bucket(bucket));
            } catch (BucketAlreadyOwnedByYouException raced) {
                // another instance created it first
            }
        }
        bucketReady = true;
    }

    @Override
    public void close() {
        s3.close();
    }
}
