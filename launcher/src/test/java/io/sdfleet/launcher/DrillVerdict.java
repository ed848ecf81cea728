package io.sdfleet.launcher;

import tools.jackson.databind.JsonNode;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A crash drill's verdict once the killed process is back: every request the drill's load made ends finished, with
 * exactly its images stored (counted in storage's table per request and index: none lost, none twice), none stuck,
 * the callers answered, and the users' concurrent-jobs counts and image quotas where they belong. Prints the drill's
 * row of the closing note's table before asserting, so a failing drill still reports its figures.
 */
final class DrillVerdict {

    private static final Set<String> ENDED = Set.of("finished", "failed", "cancelled");

    private DrillVerdict() {
    }

    /**
     * @param liveGateway a gateway that was not killed, to ask
     * @param cutSyncCalls whether the drill cut A1111 calls (their gateway was killed): they may end unanswered
     */
    static void judge(DrillRig rig, DrillLoad load, String drill, Instant killedAt, int liveGateway,
                      boolean cutSyncCalls, String moment) throws Exception {
        List<String> problems = new ArrayList<>();
        List<JsonNode> requests = awaitEnded(rig, load.tag, liveGateway, Duration.ofSeconds(480));
        Duration recovery = Duration.between(killedAt, Instant.now());
        load.awaitCallers(Duration.ofSeconds(120));
        long expected = 0;
        long stored = 0;
        long lost = 0;
        long duplicated = 0;
        int stuck = 0;
        for (JsonNode r : requests) {
            String id = r.get("id").asString();
            String state = r.get("state").asString();
            long images = r.get("images").asLong();
            long[] rows = rig.storedImages(id);
            expected += images;
            stored += rows[1];
            lost += Math.max(0, images - rows[1]);
            duplicated += rows[0] - rows[1];
            if (!ENDED.contains(state)) {
                stuck++;
                problems.add(id + " is still " + state + " (" + r.get("images_done") + "/" + images + ")");
            } else if (!state.equals("finished")) {
                problems.add(id + " ended " + state);
            }
        }
        List<String> leaks = countsLeft(rig);
        System.out.printf("DRILL | %s | requests %d | images expected %d / stored %d / lost %d / duplicated %d "
                        + "| stuck %d | recovery %ds | moment: %s | sync: %s | sse: %s | counts: %s%n",
                drill, requests.size(), expected, stored, lost, duplicated, stuck, recovery.toSeconds(), moment,
                load.syncOutcomes.values(), load.sseOutcomes.values(), leaks.isEmpty() ? "back to zero" : leaks);
        if (lost > 0) {
            problems.add(lost + " images lost");
        }
        if (duplicated > 0) {
            problems.add(duplicated + " images stored twice");
        }
        if (requests.size() < 2 * DrillRig.USERS.size()) {
            problems.add("only " + requests.size() + " of the load's requests were found");
        }
        load.syncOutcomes.forEach((user, outcome) -> {
            if (!outcome.startsWith("200") && !(cutSyncCalls && outcome.startsWith("cut off"))) {
                problems.add("A1111 call of " + user + ": " + outcome);
            }
        });
        if (load.syncOutcomes.size() < DrillRig.USERS.size()) {
            problems.add("A1111 calls unanswered after the bound: " + load.syncWaiting.get());
        }
        load.sseOutcomes.forEach((id, outcome) -> {
            if (!outcome.equals("finished")) {
                problems.add("event stream of " + id + ": " + outcome);
            }
        });
        problems.addAll(leaks);
        if (!problems.isEmpty()) {
            problems.add("workers: " + rig.workersReport());
            throw new AssertionError(drill + ":\n  " + String.join("\n  ", problems));
        }
    }

    /** The drill's requests (their prompts carry its tag) once all have ended, or as they are at the bound. */
    private static List<JsonNode> awaitEnded(DrillRig rig, String tag, int gateway, Duration bound) throws Exception {
        Instant deadline = Instant.now().plus(bound);
        List<JsonNode> mine = List.of();
        while (Instant.now().isBefore(deadline)) {
            try {
                mine = requestsOf(rig, tag, gateway);
                if (!mine.isEmpty() && mine.stream().allMatch(r -> ENDED.contains(r.get("state").asString()))) {
                    return mine;
                }
            } catch (Exception gatewayStillStarting) {
                // asked again below
            }
            Thread.sleep(1000);
        }
        return mine;
    }

    private static List<JsonNode> requestsOf(DrillRig rig, String tag, int gateway) throws Exception {
        List<JsonNode> mine = new ArrayList<>();
        for (String user : DrillRig.USERS) {
            HttpResponse<String> list = rig.send(user, gateway, "GET", "/api/v1/generations?limit=200", null);
            if (list.statusCode() != 200) {
                throw new IllegalStateException(list.statusCode() + " " + list.body());
            }
            for (JsonNode r : DrillRig.JSON.readTree(list.body())) {
                if (r.get("prompt").asString().startsWith(tag + " ")) {
                    mine.add(r);
                }
            }
        }
        return mine;
    }

    /**
     * Every user's concurrent-jobs count is zero on every gateway (a request of one batch more than the limit is a
     * 400 "at most … at once" with nothing active, a 429 while anything counts), and today's image quota used equals
     * the images of the user's finished requests (nothing reserved for a request that never ran).
     */
    private static List<String> countsLeft(DrillRig rig) throws Exception {
        List<String> leaks = new ArrayList<>();
        for (String user : DrillRig.USERS) {
            for (int g = 0; g < rig.fleet.gateways().size(); g++) {
                HttpResponse<String> probe = rig.send(user, g, "POST", "/api/v1/generations", """
                        {"prompt": "probe", "steps": 1, "width": 64, "height": 64, "n_iter": %d}"""
                        .formatted(DrillRig.MAX_CONCURRENT_JOBS + 1));
                if (probe.statusCode() != 400 || !probe.body().contains("at once")) {
                    leaks.add(user + "'s concurrent jobs on gateway " + (g + 1) + ": " + probe.statusCode() + " "
                            + probe.body());
                }
            }
            long reserved = rig.count("SELECT coalesce(sum(images), 0) FROM gateway.daily_usage WHERE user_name = ? "
                    + "AND day = ?", user, LocalDate.now(ZoneOffset.UTC));
            long finished = 0;
            HttpResponse<String> list = rig.send(user, 0, "GET", "/api/v1/generations?limit=200", null);
            for (JsonNode r : DrillRig.JSON.readTree(list.body())) {
                if (r.get("state").asString().equals("finished")) {
                    finished += r.get("images").asLong();
                }
            }
            if (reserved != finished) {
                leaks.add(user + "'s quota used today is " + reserved + " images; their finished requests made "
                        + finished);
            }
        }
        return leaks;
    }
}
