package io.sdfleet.launcher;

import io.sdfleet.diffusion.cli.Arguments;
import io.sdfleet.diffusion.cli.UsageException;

import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/** What the {@code ./sd} commands that talk to the gateway share: one call, its answer printed, an exit status. */
public final class GatewayRequests {

    private GatewayRequests() {
    }

    /**
     * Sends {@code request} and prints the answer's body (or "done"); an error answer or an unreachable gateway goes
     * to {@code err} as one line starting with {@code program}.
     *
     * @return 0 on success, 1 otherwise
     */
    public static int report(String program, HttpRequest request, PrintStream out, PrintStream err) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                err.println(program + ": " + response.statusCode() + " " + response.body());
                return 1;
            }
            out.println(response.body().isEmpty() ? "done" : response.body());
            return 0;
        } catch (IOException e) {
            err.println(program + ": cannot reach the gateway: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** The command's one positional argument (a name, an id, a file). */
    public static String single(Arguments a, String what) {
        List<String> words = a.positional();
        if (words.size() != 1) {
            throw new UsageException("expected exactly one " + what + ", got " + words);
        }
        return words.get(0);
    }
}
