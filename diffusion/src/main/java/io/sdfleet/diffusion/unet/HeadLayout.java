package io.sdfleet.diffusion.unet;

/**
 * How a UNet splits a transformer's width into attention heads; the checkpoint does not store it.
 * SD 1.x fixes the count ({@code num_heads: 8}, head width = channels / 8); SD 2.x fixes the width
 * ({@code num_head_channels: 64}, heads = channels / 64).
 */
public record HeadLayout(int count, int width) {

    public static final HeadLayout SD1 = fixedCount(8);
    public static final HeadLayout SD2 = fixedWidth(64);

    public HeadLayout {
        if ((count > 0) == (width > 0)) {
            throw new IllegalArgumentException("give either a head count or a head width, not both or none");
        }
    }

    public static HeadLayout fixedCount(int heads) {
        return new HeadLayout(heads, 0);
    }

    public static HeadLayout fixedWidth(int headWidth) {
        return new HeadLayout(0, headWidth);
    }

    /** Number of heads for a transformer {@code channels} wide. */
    public int headsFor(long channels) {
        int heads = count > 0 ? count : Math.toIntExact(channels / width);
        if (heads < 1 || channels % heads != 0) {
            throw new IllegalArgumentException(channels + " channels cannot be split by " + this);
        }
        return heads;
    }
}
