package io.sdfleet.diffusion.networks;

/**
 * {@code <lora:name>}, {@code <lora:name:w>}, {@code <lora:name:te:unet>} or {@code <lora:name:te=..:unet=..>}: the
 * text-encoder multiplier defaults to 1, the UNet one to the text-encoder one (A1111's {@code ExtraNetworkLora}).
 */
public record LoraActivation(String name, double textEncoderMultiplier, double unetMultiplier) {

    public static LoraActivation of(NetworkActivation tag) {
        double te = tag.number("te", tag.number(1, 1.0));
        double unet = tag.number("unet", tag.number(2, te));
        return new LoraActivation(tag.name(), te, unet);
    }
}
