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

    /** @return a builder starting from nothing set (every array and the config are required) */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this record's values */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A {@link Checkpoint} under construction: starts from the defaults or from a record, validated by {@link #build()}. */
    public static final class Builder {
        private int epoch;
        private long iteration;
        private float[] student;
        private float[] teacher;
        private float[] adamM;
        private float[] adamV;
        private long[] adamSteps;
        private float[] center;
        private String configJson;
        private Map<String, String> versions;
        private Map<String, Long> rngState;
        private Map<String, Double> epochSums;

        private Builder() {
        }

        private Builder(Checkpoint r) {
            epoch = r.epoch;
            iteration = r.iteration;
            student = r.student;
            teacher = r.teacher;
            adamM = r.adamM;
            adamV = r.adamV;
            adamSteps = r.adamSteps;
            center = r.center;
            configJson = r.configJson;
            versions = r.versions;
            rngState = r.rngState;
            epochSums = r.epochSums;
        }

        /** Sets {@link Checkpoint#epoch()}; returns this builder. */
        public Builder epoch(int v) {
            epoch = v;
            return this;
        }

        /** Sets {@link Checkpoint#iteration()}; returns this builder. */
        public Builder iteration(long v) {
            iteration = v;
            return this;
        }

        /** Sets {@link Checkpoint#student()}; returns this builder. */
        public Builder student(float[] v) {
            student = v;
            return this;
        }

        /** Sets {@link Checkpoint#teacher()}; returns this builder. */
        public Builder teacher(float[] v) {
            teacher = v;
            return this;
        }

        /** Sets {@link Checkpoint#adamM()}; returns this builder. */
        public Builder adamM(float[] v) {
            adamM = v;
            return this;
        }

        /** Sets {@link Checkpoint#adamV()}; returns this builder. */
        public Builder adamV(float[] v) {
            adamV = v;
            return this;
        }

        /** Sets {@link Checkpoint#adamSteps()}; returns this builder. */
        public Builder adamSteps(long[] v) {
            adamSteps = v;
            return this;
        }

        /** Sets {@link Checkpoint#center()}; returns this builder. */
        public Builder center(float[] v) {
            center = v;
            return this;
        }

        /** Sets {@link Checkpoint#configJson()}; returns this builder. */
        public Builder configJson(String v) {
            configJson = v;
            return this;
        }

        /** Sets {@link Checkpoint#versions()}; returns this builder. */
        public Builder versions(Map<String, String> v) {
            versions = v;
            return this;
        }

        /** Sets {@link Checkpoint#rngState()}; returns this builder. */
        public Builder rngState(Map<String, Long> v) {
            rngState = v;
            return this;
        }

        /** Sets {@link Checkpoint#epochSums()}; returns this builder. */
        public Builder epochSums(Map<String, Double> v) {
            epochSums = v;
            return this;
        }

        /** Builds and validates the record (the record's constructor throws on a bad value, naming the field). */
        public Checkpoint build() {
            return new Checkpoint(epoch, iteration, student, teacher, adamM, adamV, adamSteps, center, configJson, versions, rngState, epochSums);
        }
    }
}
