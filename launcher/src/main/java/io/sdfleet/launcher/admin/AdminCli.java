package io.sdfleet.launcher.admin;

import io.sdfleet.diffusion.cli.Arguments;
import io.sdfleet.diffusion.cli.UsageException;
import io.sdfleet.launcher.GatewayRequests;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./sd admin …}: user and key administration through the gateway's admin API, authenticated with an
 * admin's API key ({@code --key} or {@code SDFLEET_ADMIN_KEY}) against {@code --url} or {@code SDFLEET_URL}.
 */
public final class AdminCli {

    private static final String USAGE = """
            usage: ./sd admin <command> [--url URL] [--key ADMIN_KEY]
              create-user NAME [--admin] [--password P] [--max-concurrent-jobs N] [--max-images-per-day N]
              create-key NAME [--label TEXT]      prints the new key (shown only this once)
              list-users
              list-keys NAME
              revoke-key ID
            """;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private AdminCli() {
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
            Arguments a = Arguments.parse(argv.subList(1, argv.size()), Set.of("admin"));
            String url = a.string("url", env.getOrDefault("SDFLEET_URL", "http://127.0.0.1:7860"));
            String key = a.string("key", env.get("SDFLEET_ADMIN_KEY"));
            if (key == null || key.isBlank()) {
                throw new UsageException("an admin API key is needed: --key or SDFLEET_ADMIN_KEY");
            }
            HttpRequest request = switch (argv.get(0)) {
                case "create-user" -> {
                    ObjectNode body = JSON.createObjectNode();
                    body.put("name", name(a));
                    body.put("admin", a.flag("admin"));
                    String password = a.string("password", null);
                    if (password != null) {
                        body.put("password", password);
                    }
                    int concurrent = a.integer("max-concurrent-jobs", 0);
                    if (concurrent > 0) {
                        body.put("max_concurrent_jobs", concurrent);
                    }
                    int perDay = a.integer("max-images-per-day", 0);
                    if (perDay > 0) {
                        body.put("max_images_per_day", perDay);
                    }
                    yield call(a, url, key, "POST", "/api/v1/admin/users", body.toString());
                }
                case "create-key" -> {
                    ObjectNode body = JSON.createObjectNode();
                    String user = name(a);
                    body.put("label", a.string("label", "cli"));
                    yield call(a, url, key, "POST", "/api/v1/admin/users/" + user + "/keys", body.toString());
                }
                case "list-users" -> call(a, url, key, "GET", "/api/v1/admin/users", null);
                case "list-keys" -> call(a, url, key, "GET", "/api/v1/admin/users/" + name(a) + "/keys", null);
                case "revoke-key" -> call(a, url, key, "DELETE", "/api/v1/admin/keys/" + name(a), null);
                default -> throw new UsageException("unknown admin command '" + argv.get(0) + "' (try ./sd admin help)");
            };
            return GatewayRequests.report("sd admin", request, out, err);
        } catch (UsageException e) {
            err.println("sd admin: " + e.getMessage());
            return 2;
        }
    }

    private static String name(Arguments a) {
        return GatewayRequests.single(a, "name or id");
    }

    private static HttpRequest call(Arguments a, String url, String key, String method, String path, String body) {
        a.rejectUnknown();
        return HttpRequest.newBuilder(URI.create(url + path))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
    }
}
