package io.sdfleet.diffusion.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.sdfleet.diffusion.prompt.PromptAttention;
import io.sdfleet.diffusion.prompt.WeightedText;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/** {@code ./sd parse-prompt TEXT}: A1111's attention parse as JSON {@code [[text, weight], …]} (BREAK → -1). */
final class ParsePromptCommand {

    private ParsePromptCommand() {
    }

    static void run(List<String> args, PrintStream out) {
        Arguments a = Arguments.parse(args, Set.of());
        String text = Prompts.single(a.positional(), "TEXT");
        a.rejectUnknown();
        ObjectMapper json = new ObjectMapper();
        ArrayNode pieces = json.createArrayNode();
        for (WeightedText piece : PromptAttention.parse(text)) {
            ArrayNode pair = pieces.addArray().add(piece.text());
            if (piece.isBreak()) {
                pair.add(-1);
            } else {
                pair.add(piece.weight());
            }
        }
        out.println(pieces.toString());
    }
}
