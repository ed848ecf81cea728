package io.sdfleet.diffusion.infotext;

/** The engine's name and version as written into infotexts ("Version: …"). */
public final class Version {

    public static final String CURRENT = "sdfleet-0.1.0";

    private Version() {
    }
}
