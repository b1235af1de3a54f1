/**
 * "Fire course N" while an earlier course is not ready (held, fired or being prepared):
 * the pad asks before firing (issue 11, course pacing). "Fire anyway" fires with
 * `confirm: true`; "Wait" fires nothing. The server applies the same rule
 * (409 `earlier-course-not-ready` without the confirmation).
 */
import { Dialog } from "./Dialog";
import type { CourseWaitState } from "./orderLogic";

/** How the warning says each state: "Course 1 is still being prepared." */
const STATE_TEXT: Readonly<Record<CourseWaitState, string>> = {
  held: "has not been fired yet",
  fired: "is in the kitchen, not started",
  preparing: "is still being prepared",
};

export interface FireWarningDialogProps {
  /** The course asked for. */
  course: number;
  /** The first earlier course not ready, and its state. */
  earlier: { course: number; state: CourseWaitState };
  onFire: () => void;
  onClose: () => void;
}

export function FireWarningDialog({ course, earlier, onFire, onClose }: FireWarningDialogProps) {
  return (
    <Dialog title={`Fire course ${course} now?`} onClose={onClose}>
      <p className="pad-fire-warning">
        Course {earlier.course} {STATE_TEXT[earlier.state]}. Firing course {course} now sends it to the kitchen
        before course {earlier.course} is ready.
      </p>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose} data-autofocus>
          Wait
        </button>
        <button
          type="button"
          className="button button-danger"
          onClick={() => {
            onFire();
            onClose();
          }}
        >
          Fire course {course} anyway
        </button>
      </div>
    </Dialog>
  );
}
