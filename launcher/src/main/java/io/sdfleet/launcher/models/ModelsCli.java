package io.sdfleet.launcher.models;

import io.sdfleet.diffusion.cli.Arguments;
import io.sdfleet.diffusion.cli.UsageException;
import io.sdfleet.launcher.GatewayRequests;

import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./sd models …}: the fleet's model registry through the gateway. Uploads stream the file from disk (never
 * read whole into memory) to {@code POST /api/v1/models}, which only admins may call; {@code --key} or
 * {@code SDFLEET_ADMIN_KEY} (or {@code SDFLEET_API_KEY} for listing) against {@code --url} or {@code SDFLEET_URL}.
 */
public final class ModelsCli {

    private static final String USAGE = """
            usage: ./sd models <command> [--url URL] [--key API_KEY]
              upload --kind checkpoint|vae|lora|embedding|hypernetwork|esrgan|realesrgan|codeformer|gfpgan FILE [--name NAME]
                                            NAME defaults to the file's name; same bytes twice = one entry
              list [--kind KIND]
              delete SHA256
            """;

    private ModelsCli() {
    }

    public static void main(String[] argv) {
        System.exit(run(Arrays.asList(argv), System.getenv(), System.out, System.err));
    }

    public static int run(List<String> argv, Map<String, String> env, PrintStream out, PrintStream err) {
        if (argv.isEmpty() || argv.get(0).equals("help")) {
            out.print(USAGE);
            return argv.isEmpty() ? 2 : 0;
        }
        try {
            Arguments a = Arguments.parse(argv.subList(1, argv.size()), Set.of());
            String url = a.string("url", env.getOrDefault("SDFLEET_URL", "http://127.0.0.1:7860")).replaceAll("/+$", "");
            String key = a.string("key", env.getOrDefault("SDFLEET_ADMIN_KEY", env.get("SDFLEET_API_KEY")));
            HttpRequest.Builder request = switch (argv.get(0)) {
                case "upload" -> {
                    String kind = a.string("kind", null);
                    if (kind == null) {
                        throw new UsageException("--kind is required (checkpoint, vae, lora, embedding, hypernetwork, esrgan, realesrgan, codeformer, gfpgan)");
                    }
                    Path file = Path.of(one(a));
                    if (!Files.isRegularFile(file)) {
                        throw new UsageException("no such file: " + file);
                    }
                    String name = a.string("name", file.getFileName().toString());
                    a.rejectUnknown();
                    yield HttpRequest.newBuilder(URI.create(url + "/api/v1/models?kind=" + enc(kind) + "&name=" + enc(name)))
                            .header("Content-Type", "application/octet-stream")
                            .POST(fileBody(file));
                }
                case "list" -> {
                    String kind = a.string("kind", null);
                    a.rejectUnknown();
                    yield HttpRequest.newBuilder(URI.create(url + "/api/v1/models" + (kind == null ? "" : "?kind=" + enc(kind))));
                }
                case "delete" -> {
                    String sha = one(a);
                    a.rejectUnknown();
                    yield HttpRequest.newBuilder(URI.create(url + "/api/v1/models/" + enc(sha))).DELETE();
                }
                default -> throw new UsageException("unknown models command '" + argv.get(0) + "' (try ./sd models help)");
            };
            if (key != null && !key.isBlank()) {
                request.header("Authorization", "Bearer " + key);
            }
            return GatewayRequests.report("sd models", request.build(), out, err);
        } catch (UsageException e) {
            err.println("sd models: " + e.getMessage());
            return 2;
        }
    }

    private static String one(Arguments a) {
        return GatewayRequests.single(a, "argument");
    }

    /** The file streamed as the request body (checked to exist above; gone meanwhile is still a usage error). */
    private static HttpRequest.BodyPublisher fileBody(Path file) {
        try {
            return HttpRequest.BodyPublishers.ofFile(file);
        } catch (FileNotFoundException e) {
            throw new UsageException("no such file: " + file);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
