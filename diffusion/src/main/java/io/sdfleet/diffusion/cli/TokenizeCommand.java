package io.sdfleet.diffusion.cli;

import io.sdfleet.diffusion.tokenizer.ClipTokenizer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** {@code ./sd tokenize --tokenizer PATH TEXT}: prints the 77 input ids as a JSON array. */
final class TokenizeCommand {

    private TokenizeCommand() {
    }

    static void run(List<String> args, PrintStream out) {
        Arguments a = Arguments.parse(args, Set.of());
        Path tokenizerPath = a.existingPath("tokenizer");
        if (tokenizerPath == null) {
            throw new UsageException("missing required option --tokenizer");
        }
        String text = Prompts.single(a.positional(), "TEXT");
        a.rejectUnknown();
        ClipTokenizer tokenizer = ClipTokenizer.load(tokenizerPath);
        out.println(Arrays.stream(tokenizer.inputIds77(text)).mapToObj(Long::toString)
                .collect(Collectors.joining(", ", "[", "]")));
    }
}
