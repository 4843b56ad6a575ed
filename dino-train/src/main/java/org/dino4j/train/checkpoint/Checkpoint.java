package org.dino4j.train.checkpoint;

import java.util.Map;

/**
 * Everything needed to continue a run exactly where it stopped. Arrays are held by reference (no copy): the
 * trainer hands in its live buffers and the store writes them out.
 *
 * @param epoch         epoch of the next iteration to run.
 * @param iteration     global index of the next iteration to run ({@code epoch · itersPerEpoch + i}).
 * @param student       the student's flat parameters.
 * @param teacher       the teacher's flat parameters.
 * @param adamM         AdamW first moments (same length as {@code student}).
 * @param adamV         AdamW second moments.
 * @param adamSteps     AdamW step count per parameter tensor.
 * @param center        the teacher-output center {@code [K]}.
 * @param configJson    the full config as JSON ({@code ConfigLoader.toJson}).
 * @param versions      versions used (dino4j, ND4J backend, Java, …).
 * @param rngState      random-number state: the data order and crops derive from (seed, epoch, index), so the seed
 *                      and the position are the whole state; kept as named longs for forward compatibility.
 * @param epochSums     running sums of the current epoch's statistics (so a run resumed inside an epoch reports the
 *                      same epoch means), e.g. {@code loss, teacher_entropy, mean_teacher_entropy, count}.
 */
public record Checkpoint(int epoch, long iteration, float[] student, float[] teacher, float[] adamM, float[] adamV,
                         long[] adamSteps, float[] center, String configJson, Map<String, String> versions,
                         Map<String, Long> rngState, Map<String, Double> epochSums) {

    /** Validates presence and consistent lengths. */
    public Checkpoint {
        if (epoch < 0) throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        if (iteration < 0) throw new IllegalArgumentException("iteration must be >= 0, got " + iteration);
        if (student == null || teacher == null || adamM == null || adamV == null || adamSteps == null || center == null
                || configJson == null) {
            throw new IllegalArgumentException("checkpoint arrays and config must all be set");
        }
        if (teacher.length != student.length || adamM.length != student.length || adamV.length != student.length) {
            throw new IllegalArgumentException("student, teacher, adamM, adamV must have one length, got " + student.length
                    + ", " + teacher.length + ", " + adamM.length + ", " + adamV.length);
        }
        versions = versions == null ? Map.of() : Map.copyOf(versions);
        rngState = rngState == null ? Map.of() : Map.copyOf(rngState);
        epochSums = epochSums == null ? Map.of() : Map.copyOf(epochSums);
    }
}
