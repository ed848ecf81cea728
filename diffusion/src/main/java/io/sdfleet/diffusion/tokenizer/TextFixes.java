package io.sdfleet.diffusion.tokenizer;

import java.text.Normalizer;

/**
 * The parts of ftfy's {@code fix_text} (as openai's CLIP tokenizer calls it) that change ordinary prompts: Latin
 * ligatures are spelt out ("ﬁ" → "fi"), full- and half-width forms become their normal characters, and the text
 * is NFC-normalised. Mojibake repair is left out: prompts arrive as proper UTF-8.
 */
final class TextFixes {

    private TextFixes() {
    }

    static String fix(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            if (cp == 0x02BC || (cp >= 0x2018 && cp <= 0x201B)) {
                out.append('\'');
            } else if (cp >= 0x201C && cp <= 0x201F) {
                out.append('"');
            } else if ((cp >= 0xFB00 && cp <= 0xFB06) || (cp >= 0xFF01 && cp <= 0xFFEE) || cp == 0x3000) {
                // Ligatures and width variants: their compatibility decomposition is the plain form.
                out.append(Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKC));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return Normalizer.normalize(out, Normalizer.Form.NFC);
    }
}
