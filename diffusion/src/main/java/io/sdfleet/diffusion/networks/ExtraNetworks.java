package io.sdfleet.diffusion.networks;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A1111's {@code extra_networks.parse_prompt}: every {@code <type:args>} tag is cut out of the prompt (leaving the
 * text around it as it was, spaces included) and returned as an activation, whatever its type; what the types mean
 * is up to {@link LoraActivation} and {@link HypernetActivation}.
 */
public final class ExtraNetworks {

    /** A1111's {@code re_extra_net}; Python's \w is Unicode-aware. */
    private static final Pattern TAG = Pattern.compile("<(\\w+):([^>]+)>", Pattern.UNICODE_CHARACTER_CLASS);

    public static final String LORA = "lora";
    public static final String HYPERNET = "hypernet";

    private ExtraNetworks() {
    }

    /** The prompt without its tags, and the tags in order of appearance. */
    public record Parsed(String prompt, List<NetworkActivation> activations) {

        public Parsed {
            activations = List.copyOf(activations);
        }

        public List<LoraActivation> loras() {
            return activations.stream().filter(a -> a.type().equals(LORA)).map(LoraActivation::of).toList();
        }

        public List<HypernetActivation> hypernets() {
            return activations.stream().filter(a -> a.type().equals(HYPERNET)).map(HypernetActivation::of).toList();
        }
    }

    public static Parsed parse(String prompt) {
        List<NetworkActivation> found = new ArrayList<>();
        Matcher m = TAG.matcher(prompt);
        StringBuilder cleaned = new StringBuilder();
        while (m.find()) {
            found.add(NetworkActivation.of(m.group(1), m.group(2)));
            m.appendReplacement(cleaned, "");
        }
        m.appendTail(cleaned);
        return new Parsed(cleaned.toString(), found);
    }
}
