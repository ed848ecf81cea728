package io.sdfleet.gateway.a1111;

import java.util.List;

/**
 * A request that cannot run. {@code unsupported} marks requests that are valid A1111 but ask for a feature this
 * fleet has not built yet (answered 422), as opposed to malformed ones (400).
 */
public class InvalidRequestException extends RuntimeException {

    private final List<FieldProblem> problems;
    private final boolean unsupported;

    public InvalidRequestException(List<FieldProblem> problems, boolean unsupported) {
        super(problems.stream().map(p -> p.field() + ": " + p.message()).reduce((a, b) -> a + "; " + b).orElse("invalid"));
        this.problems = List.copyOf(problems);
        this.unsupported = unsupported;
    }

    public List<FieldProblem> problems() {
        return problems;
    }

    public boolean unsupported() {
        return unsupported;
    }
}
