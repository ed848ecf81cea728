package io.sdfleet.diffusion.tokenizer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Python's html.unescape on what users put in prompts, huge and invalid numbers included. */
class HtmlEntitiesTest {

    @Test
    void numericAndNamedReferencesAsPythonUnescapesThem() {
        assertThat(HtmlEntities.unescape("a &amp; b &lt;3 &#65;&#x42;&#0000067; &nope;")).isEqualTo("a & b <3 ABC &nope;");
    }

    /** Was: &#99999999999; threw NumberFormatException and failed the job. */
    @Test
    void numbersPastUnicodeSurrogatesAndNulBecomeTheReplacementCharacter() {
        assertThat(HtmlEntities.unescape("&#99999999999;")).isEqualTo("\uFFFD");
        assertThat(HtmlEntities.unescape("&#x" + "F".repeat(500) + ";")).isEqualTo("\uFFFD");
        assertThat(HtmlEntities.unescape("&#1114112;&#xD800;&#0;")).isEqualTo("\uFFFD\uFFFD\uFFFD");
        assertThat(HtmlEntities.unescape("&#" + "0".repeat(10_000) + "65;")).isEqualTo("A");
    }
}
