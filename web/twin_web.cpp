#include "twin_web.hpp"

#include <cmath>
#include <string>

#include <GLFW/glfw3.h>
#include <emscripten.h>
#include <emscripten/html5.h>
#include <imgui.h>

#include "app.hpp"

namespace tower::twin::web {

namespace {

TwinApp* installed = nullptr;
bool lost = false;
bool restored = false;
std::string answer;  // the last string handed to JavaScript; valid until the next call

std::string clipboard;  // what the user last pasted into the page, or the twin last copied

EM_JS(void, write_clipboard, (const char* text), {
  if (navigator.clipboard) navigator.clipboard.writeText(UTF8ToString(text)).catch(function() {});
});

// Emscripten's canvas resize, which also tells its GLFW (and so ImGui) the new size.
EM_JS(void, resize_canvas, (int width, int height), { Browser.setCanvasSize(width, height); });

const char* hand_over(const nlohmann::json& json) {
  answer = json.dump();
  return answer.c_str();
}

}  // namespace

void install(TwinApp& app) {
  installed = &app;
  ImGuiIO& io = ImGui::GetIO();
  io.SetClipboardTextFn = [](void*, const char* text) {
    clipboard = text ? text : "";
    write_clipboard(clipboard.c_str());
  };
  io.GetClipboardTextFn = [](void*) -> const char* { return clipboard.c_str(); };
  emscripten_set_webglcontextlost_callback("#canvas", nullptr, EM_TRUE, [](int, const void*, void*) -> EM_BOOL {
    lost = true;
    return EM_TRUE;  // preventDefault: ask the browser to restore the context
  });
  emscripten_set_webglcontextrestored_callback("#canvas", nullptr, EM_TRUE, [](int, const void*, void*) -> EM_BOOL {
    lost = false;
    restored = true;
    return EM_TRUE;
  });
}

float fit_canvas(GLFWwindow* window) {
  double css_width = 0, css_height = 0;
  emscripten_get_element_css_size("#canvas", &css_width, &css_height);
  const double ratio = std::max(1.0, emscripten_get_device_pixel_ratio());
  const int width = std::max(1, static_cast<int>(std::lround(css_width * ratio)));
  const int height = std::max(1, static_cast<int>(std::lround(css_height * ratio)));
  int current_width = 0, current_height = 0;
  glfwGetWindowSize(window, &current_width, &current_height);
  // Not glfwSetWindowSize: Emscripten's asks for fullscreen when the size equals the screen's (a headless
  // browser's viewport does), which a page may not do without a click. Resizing the canvas through the
  // runtime tells GLFW (and so ImGui) the new size all the same.
  if (width != current_width || height != current_height) resize_canvas(width, height);
  return static_cast<float>(ratio);
}

bool context_lost() { return lost; }

bool take_context_restored() {
  const bool was = restored;
  restored = false;
  return was;
}

}  // namespace tower::twin::web

extern "C" {

EMSCRIPTEN_KEEPALIVE const char* twin_state() {
  using namespace tower::twin::web;
  if (!installed) return hand_over({{"error", "the twin is not running yet"}});
  return hand_over(installed->model().state());
}

EMSCRIPTEN_KEEPALIVE const char* twin_command(const char* text) {
  using namespace tower::twin::web;
  if (!installed) return hand_over({{"error", "the twin is not running yet"}});
  nlohmann::json command = nlohmann::json::parse(text ? text : "", nullptr, false);
  if (command.is_discarded()) return hand_over({{"error", "the command is not JSON"}});
  return hand_over(installed->model().command(command));
}

EMSCRIPTEN_KEEPALIVE const char* twin_live_message(const char* text) {
  using namespace tower::twin::web;
  if (!installed || !text) return hand_over({{"error", "the twin is not running yet"}});
  auto& model = installed->model();
  auto read = model.live().receive(text, model.wall_seconds());
  if (!read) return hand_over({{"error", read.error().message}});
  return hand_over({{"ok", true}});
}

EMSCRIPTEN_KEEPALIVE void twin_clipboard_pasted(const char* text) { tower::twin::web::clipboard = text ? text : ""; }

EMSCRIPTEN_KEEPALIVE void twin_live_connected(int connected) {
  using namespace tower::twin::web;
  if (!installed) return;
  installed->model().live().set_connected(connected != 0, installed->model().wall_seconds());
}

}
