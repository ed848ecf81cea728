package io.sdfleet.storageclient;

import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** One file of the fleet's model registry, as storage-service lists it ({@code GET /internal/models}). */
public record RegisteredModel(String kind, String name, String sha256, String modelHash, String legacyHash,
                              long sizeBytes) {

    /** The file name without its extension, as A1111 names networks and models. */
    public String stem() {
        return stem(name);
    }

    /** A file name without its extension (a leading dot is no extension's), as A1111 names networks and models. */
    public static String stem(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    /** The entries of a registry listing (absent fields read as empty, sizes as 0). */
    public static List<RegisteredModel> listed(JsonNode listing) {
        List<RegisteredModel> out = new ArrayList<>();
        for (JsonNode n : listing) {
            out.add(new RegisteredModel(n.path("kind").asString(), n.path("name").asString(),
                    n.path("sha256").asString(), n.path("modelHash").asString(), n.path("legacyHash").asString(),
                    n.path("sizeBytes").asLong()));
        }
        return List.copyOf(out);
    }
}
