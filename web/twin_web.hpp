// What only the browser build needs: the page's test hook and live link (exported C functions the page glue
// in page.js calls), a canvas that follows its CSS box at the screen's pixel density, and recovery from a
// lost WebGL context.
#pragma once

struct GLFWwindow;

namespace tower::twin {
class TwinApp;
}

namespace tower::twin::web {

// Exposes `app` to the page (twin_state, twin_command, twin_live_message, twin_live_connected) and listens
// for WebGL context loss.
void install(TwinApp& app);

// Sizes the drawing buffer to the canvas's CSS box times devicePixelRatio; returns that ratio (the UI scale).
float fit_canvas(GLFWwindow* window);

// True while the browser has taken the WebGL context away.
bool context_lost();
// True once after the context came back: every GL object must be created again.
bool take_context_restored();

}  // namespace tower::twin::web
