package org.dino4j.eval.features;

/**
 * Which network of a DINO checkpoint produces the features. The paper evaluates the teacher
 * (Caron et al. 2021, Sec. 4.1 / Appendix: "we use the teacher network for evaluation"), so that is the default.
 */
public enum FeatureSource {
    /** The EMA teacher backbone (default, as in the paper). */
    TEACHER,
    /** The student backbone (on request). */
    STUDENT;

    /** The default source: {@link #TEACHER}. */
    public static FeatureSource defaultSource() {
        return TEACHER;
    }
}
