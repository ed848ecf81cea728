package io.sdfleet.diffusion.prompt;

/** A piece of prompt text and its attention weight; A1111 marks BREAK as ("BREAK", -1). */
public record WeightedText(String text, double weight) {

    public static final WeightedText BREAK = new WeightedText("BREAK", -1);

    public boolean isBreak() {
        return weight == -1 && text.equals("BREAK");
    }
}
