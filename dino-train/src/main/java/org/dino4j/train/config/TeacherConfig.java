package org.dino4j.train.config;

/**
 * Temperatures, teacher momentum and centering (Caron et al. 2021, Eq. 1–4 and §3.1; official defaults).
 *
 * @param studentTemp             τ_s of the student softmax (official 0.1).
 * @param warmupTeacherTemp       τ_t at the first epoch (official 0.04).
 * @param teacherTemp             τ_t after the warm-up (0.07 here, the paper's recommended value when the warm-up is used).
 * @param warmupTeacherTempEpochs epochs of the linear τ_t warm-up (30 in the paper's recipe).
 * @param momentumTeacher         EMA momentum λ at the start; it follows a cosine to 1 (official 0.996).
 * @param centerMomentum          momentum m of the center update c ← m·c + (1−m)·mean(z_t) (official 0.9, Eq. 4).
 */
public record TeacherConfig(double studentTemp, double warmupTeacherTemp, double teacherTemp,
                            int warmupTeacherTempEpochs, double momentumTeacher, double centerMomentum) {

    /** Validates every field. */
    public TeacherConfig {
        Checks.positive("teacher.studentTemp", studentTemp);
        Checks.positive("teacher.warmupTeacherTemp", warmupTeacherTemp);
        Checks.positive("teacher.teacherTemp", teacherTemp);
        Checks.nonNegative("teacher.warmupTeacherTempEpochs", warmupTeacherTempEpochs);
        Checks.closed("teacher.momentumTeacher", momentumTeacher, 0, 1);
        Checks.halfOpen("teacher.centerMomentum", centerMomentum, 0, 1);
    }

    /** The paper's recipe: τ_s 0.1, τ_t 0.04 → 0.07 over 30 epochs, λ 0.996 → 1, center momentum 0.9. */
    public static TeacherConfig official() {
        return builder().build();
    }

    /** @return a builder starting from the paper's recipe ({@link #official()}) */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this record's values */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A {@link TeacherConfig} under construction: starts from the defaults or from a record, validated by {@link #build()}. */
    public static final class Builder {
        private double studentTemp = 0.1;
        private double warmupTeacherTemp = 0.04;
        private double teacherTemp = 0.07;
        private int warmupTeacherTempEpochs = 30;
        private double momentumTeacher = 0.996;
        private double centerMomentum = 0.9;

        private Builder() {
        }

        private Builder(TeacherConfig r) {
            studentTemp = r.studentTemp;
            warmupTeacherTemp = r.warmupTeacherTemp;
            teacherTemp = r.teacherTemp;
            warmupTeacherTempEpochs = r.warmupTeacherTempEpochs;
            momentumTeacher = r.momentumTeacher;
            centerMomentum = r.centerMomentum;
        }

        /** Sets {@link TeacherConfig#studentTemp()}; returns this builder. */
        public Builder studentTemp(double v) {
            studentTemp = v;
            return this;
        }

        /** Sets {@link TeacherConfig#warmupTeacherTemp()}; returns this builder. */
        public Builder warmupTeacherTemp(double v) {
            warmupTeacherTemp = v;
            return this;
        }

        /** Sets {@link TeacherConfig#teacherTemp()}; returns this builder. */
        public Builder teacherTemp(double v) {
            teacherTemp = v;
            return this;
        }

        /** Sets {@link TeacherConfig#warmupTeacherTempEpochs()}; returns this builder. */
        public Builder warmupTeacherTempEpochs(int v) {
            warmupTeacherTempEpochs = v;
            return this;
        }

        /** Sets {@link TeacherConfig#momentumTeacher()}; returns this builder. */
        public Builder momentumTeacher(double v) {
            momentumTeacher = v;
            return this;
        }

        /** Sets {@link TeacherConfig#centerMomentum()}; returns this builder. */
        public Builder centerMomentum(double v) {
            centerMomentum = v;
            return this;
        }

        /** Builds and validates the record (the record's constructor throws on a bad value, naming the field). */
        public TeacherConfig build() {
            return new TeacherConfig(studentTemp, warmupTeacherTemp, teacherTemp, warmupTeacherTempEpochs, momentumTeacher, centerMomentum);
        }
    }
}
