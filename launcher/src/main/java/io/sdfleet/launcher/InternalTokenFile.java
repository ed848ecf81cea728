package io.sdfleet.launcher;

import io.sdfleet.internal.InternalCredential;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Local mode's internal credential: the one named in the environment, else a fresh one per run. Either way it is
 * written to {@code <home>/internal-token}, readable by its owner only, so that whoever runs the fleet can scrape the
 * services' meters ({@code curl -H "Authorization: Bearer $(cat .fleet/internal-token)" ...}) and no one else learns it.
 */
final class InternalTokenFile {

    private InternalTokenFile() {
    }

    static String tokenFor(Path home, String configured) throws IOException {
        String token = configured != null && !configured.isBlank() ? configured.trim() : InternalCredential.generate();
        InternalCredential.of(token); // refuses a short one before anything starts
        Files.createDirectories(home);
        Path file = home.resolve("internal-token");
        Files.deleteIfExists(file); // created afresh, so that it is never readable by others, not even for a moment
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, token + "\n", StandardOpenOption.TRUNCATE_EXISTING);
        return token;
    }
}
