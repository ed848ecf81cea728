package io.sdfleet.storage.ops;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.MissingRequestValueException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

import java.util.List;
import java.util.Map;

/**
 * Bad input is the caller's mistake, answered 400 problem+json on every storage endpoint, never a 500: a query or
 * path parameter that is missing or not of its type ({@code limit=abc}, an image index "x") names the parameter; a
 * value a controller refuses ({@link IllegalArgumentException}) says why.
 */
@RestControllerAdvice
class BadParameters {

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ProblemDetail wrongType(MethodArgumentTypeMismatchException e) {
        String type = e.getRequiredType() == null ? "another type" : e.getRequiredType().getSimpleName();
        return problem(e.getName(), e.getName() + ": '" + e.getValue() + "' is not a valid " + type);
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ProblemDetail missing(MissingServletRequestParameterException e) {
        return problem(e.getParameterName(), e.getParameterName() + ": required");
    }

    @ExceptionHandler(MissingRequestValueException.class)
    ProblemDetail missingValue(MissingRequestValueException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail refused(IllegalArgumentException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    }

    private static ProblemDetail problem(String parameter, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setProperty("errors", List.of(Map.of("field", parameter, "message", detail)));
        return problem;
    }
}
