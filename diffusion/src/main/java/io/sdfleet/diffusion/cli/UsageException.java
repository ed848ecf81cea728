package io.sdfleet.diffusion.cli;

/** A command line the user must fix; printed as one line, exit status 2. */
public class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
