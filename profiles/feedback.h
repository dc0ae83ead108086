/* afterburn feedback (docs/profiles.md): build, run, profile, rules, rebuild, rerun, compare. */
#ifndef AB_FEEDBACK_H
#define AB_FEEDBACK_H

int ab_feedback_main(int argc, char **argv);

#endif
