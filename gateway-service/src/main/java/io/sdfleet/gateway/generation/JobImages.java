package io.sdfleet.gateway.generation;

import io.sdfleet.contracts.JobFailed;
import io.sdfleet.contracts.JobFinished;

import java.util.ArrayList;
import java.util.List;

/** What a job's events say about its request's images, read alike by the recorder and the live views. */
final class JobImages {

    private JobImages() {
    }

    /** Job ids are "requestId-firstImageIndex"; a job's images are consecutive from there. */
    static List<Integer> indexesOf(JobFinished e) {
        int first = Integer.parseInt(e.jobId().substring(e.requestId().length() + 1));
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < e.images(); i++) {
            indexes.add(first + i);
        }
        return indexes;
    }

    /** The request's error when one of its jobs failed for good. */
    static String failure(JobFailed e) {
        return "job " + e.jobId() + " failed after " + e.attempts() + " attempts: " + e.reason();
    }
}
