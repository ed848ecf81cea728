package io.sdfleet.diffusion.networks;

/** {@code <hypernet:name>} or {@code <hypernet:name:strength>} (strength 1 when absent), A1111's ExtraNetworkHypernet. */
public record HypernetActivation(String name, double multiplier) {

    public static HypernetActivation of(NetworkActivation tag) {
        return new HypernetActivation(tag.name(), tag.number(1, 1.0));
    }
}
