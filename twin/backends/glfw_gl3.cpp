// The windowed backend: GLFW + OpenGL 3 on the desktop, Emscripten's GLFW + WebGL 2 in the browser. One loop
// body for both; the browser's page concerns (canvas size, lost contexts, the test hook) are in web/.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#ifdef __EMSCRIPTEN__
#include <GLES3/gl3.h>
#include <emscripten.h>

#include "twin_web.hpp"
constexpr const char* glsl_version = "#version 300 es";
#else
#include <GL/gl.h>
constexpr const char* glsl_version = "#version 330";
#endif

#include "../app.hpp"

namespace {

using tower::twin::TwinApp;

struct Platform {
  GLFWwindow* window = nullptr;
  TwinApp* app = nullptr;
  double last_time = 0.0;
  float scale = 1.0f;
  std::string screenshot;  // saved after the next frame is drawn, then cleared
};

// How many distinct colours a grid of pixels has: a blank canvas has one. Read right after drawing, before the
// browser presents the frame, so it works without preserveDrawingBuffer.
int count_colours(int width, int height) {
  std::set<unsigned> colours;
  for (int gx = 0; gx < 32; ++gx) {
    for (int gy = 0; gy < 20; ++gy) {
      unsigned char pixel[4] = {0, 0, 0, 0};
      glReadPixels(width * (2 * gx + 1) / 64, height * (2 * gy + 1) / 40, 1, 1, GL_RGBA, GL_UNSIGNED_BYTE, pixel);
      colours.insert(unsigned(pixel[0]) << 16 | unsigned(pixel[1]) << 8 | pixel[2]);
    }
  }
  return static_cast<int>(colours.size());
}

// Writes the framebuffer as a binary PPM, top row first.
bool save_ppm(const std::string& path, int width, int height) {
  std::vector<unsigned char> pixels(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 4);
  glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
  std::ofstream file(path, std::ios::binary);
  file << "P6\n" << width << " " << height << "\n255\n";
  for (int y = height - 1; y >= 0; --y)
    for (int x = 0; x < width; ++x)
      file.write(reinterpret_cast<const char*>(&pixels[(static_cast<std::size_t>(y) * width + x) * 4]), 3);
  return static_cast<bool>(file);
}

void rescale(Platform& platform, float scale) {
  if (scale == platform.scale) return;
  platform.scale = scale;
  TwinApp::configure_imgui(scale);
  ImGui_ImplOpenGL3_DestroyFontsTexture();
  ImGui_ImplOpenGL3_CreateFontsTexture();
}

void frame(void* argument) {
  Platform& platform = *static_cast<Platform*>(argument);
#ifdef __EMSCRIPTEN__
  rescale(platform, tower::twin::web::fit_canvas(platform.window));
  if (tower::twin::web::context_lost()) return;  // nothing can be drawn until the browser restores it
  if (tower::twin::web::take_context_restored()) {  // every GL object died with the old context
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplOpenGL3_Init(glsl_version);
  }
#else
  float scale_x = 1.0f, scale_y = 1.0f;
  glfwGetWindowContentScale(platform.window, &scale_x, &scale_y);
  rescale(platform, scale_x);
#endif
  const double now = glfwGetTime();
  const double elapsed = platform.last_time > 0 ? now - platform.last_time : 1.0 / 60.0;
  platform.last_time = now;

  glfwPollEvents();
  int width = 0, height = 0;
  glfwGetFramebufferSize(platform.window, &width, &height);
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  platform.app->frame(elapsed, width, height);

  glViewport(0, 0, width, height);
  // The panels draw no background of their own (one layer less for a software renderer): the clear is it.
  const ImVec4 panel = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  glClearColor(panel.x, panel.y, panel.z, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  auto& model = platform.app->model();
  if (model.probe_requested) {
    model.probe_requested = false;
    model.probe_colours = count_colours(width, height);
  }
  if (!platform.screenshot.empty()) {
    if (!save_ppm(platform.screenshot, width, height))
      std::fprintf(stderr, "tower-twin: cannot write %s\n", platform.screenshot.c_str());
    platform.screenshot.clear();
  }
  glfwSwapBuffers(platform.window);
}

#ifndef __EMSCRIPTEN__
const char* const usage =
    "usage: tower-twin [--scenario FILE] [--mode customer|staff] [--frames N [--screenshot FILE.ppm]]\n"
    "\n"
    "The Tower digital twin on the desktop: the tower drawn as it moves, the customer's delivery preview and\n"
    "the staff's what-if runs. Starts on the normal-day example scenario.\n"
    "  --scenario FILE   watch this scenario (JSON, as in public/scenarios/)\n"
    "  --mode MODE       start in customer (default) or staff mode\n"
    "  --frames N        draw N frames, print the frame time and how many colours the picture has, and exit\n"
    "                    (a smoke test, e.g. under xvfb-run); --screenshot saves the last frame as a PPM image\n"
    "  --help            this text\n";

struct Run {
  long frames = 0;  // 0: until the window closes
  std::string screenshot;
};

// Applies the command line through the model's own commands, so a bad file is reported in the same words.
bool apply_arguments(int argc, char** argv, TwinApp& app, Run& run) {
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    const bool has_value = i + 1 < argc;
    nlohmann::json answer;
    if (argument == "--scenario" && has_value) {
      std::ifstream file(argv[++i]);
      if (!file) {
        std::fprintf(stderr, "tower-twin: cannot read %s\n", argv[i]);
        return false;
      }
      std::stringstream text;
      text << file.rdbuf();
      app.model().scenario_text = text.str();
      answer = app.model().command({{"do", "load"}, {"scenario_text", true}, {"label", argv[i]}});
    } else if (argument == "--frames" && has_value) {
      char* end = nullptr;
      run.frames = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || run.frames <= 0 || run.frames > 1'000'000) {
        std::fprintf(stderr, "tower-twin: --frames must be a whole number from 1 to 1000000\n");
        return false;
      }
      continue;
    } else if (argument == "--screenshot" && has_value) {
      run.screenshot = argv[++i];
      continue;
    } else if (argument == "--mode" && has_value) {
      answer = app.model().command({{"do", "mode"}, {"value", argv[++i]}});
    } else {
      std::fprintf(stderr, "tower-twin: unknown option %s\n%s", argument.c_str(), usage);
      return false;
    }
    if (answer.contains("error")) {
      std::fprintf(stderr, "tower-twin: %s: %s\n", argument.c_str(), answer["error"].get<std::string>().c_str());
      return false;
    }
  }
  return true;
}
#endif

}  // namespace

int main(int argc, char** argv) {
#ifndef __EMSCRIPTEN__
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::fputs(usage, stdout);
      return 0;
    }
  }
#else
  (void)argc;
  (void)argv;
#endif
  static TwinApp app;  // static: the browser's main loop outlives main()
#ifndef __EMSCRIPTEN__
  Run run;
  if (!apply_arguments(argc, argv, app, run)) return 2;  // before any window: a typo should not need a display
#endif
  glfwSetErrorCallback([](int code, const char* message) { std::fprintf(stderr, "tower-twin: GLFW %d: %s\n", code, message); });
  if (!glfwInit()) {
    std::fprintf(stderr, "tower-twin: no display: GLFW could not start (set DISPLAY, or run under Xvfb)\n");
    return 1;
  }
#ifdef __EMSCRIPTEN__
  glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  // An opaque canvas with no depth, stencil or multisampling: ImGui anti-aliases its own shapes, and a
  // software-rendered browser (SwiftShader) pays for every extra buffer on every pixel of every frame.
  glfwWindowHint(GLFW_ALPHA_BITS, 0);
  glfwWindowHint(GLFW_DEPTH_BITS, 0);
  glfwWindowHint(GLFW_STENCIL_BITS, 0);
  glfwWindowHint(GLFW_SAMPLES, 0);
#else
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GL_TRUE);
#endif
  GLFWwindow* window = glfwCreateWindow(1280, 800, "Tower twin", nullptr, nullptr);
  if (!window) {
    std::fprintf(stderr, "tower-twin: could not open an OpenGL 3.3 window\n");
    return 1;
  }
  glfwMakeContextCurrent(window);
  glfwSwapInterval(1);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  static Platform platform;
  platform.window = window;
  platform.app = &app;
  platform.scale = 0.0f;
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init(glsl_version);

#ifdef __EMSCRIPTEN__
  tower::twin::web::install(app);
  emscripten_set_main_loop_arg(frame, &platform, 0, true);
#else
  const double started = glfwGetTime();
  for (long drawn = 0; !glfwWindowShouldClose(window) && (run.frames == 0 || drawn < run.frames); ++drawn) {
    if (run.frames != 0 && drawn + 1 == run.frames) {
      app.model().probe_requested = true;
      platform.screenshot = run.screenshot;
    }
    frame(&platform);
  }
  if (run.frames != 0) {
    const double seconds = glfwGetTime() - started;
    std::printf("tower-twin: %ld frames at %dx%d, %.2f ms each on average, %d colours in the picture\n", run.frames,
                app.model().width, app.model().height, 1000.0 * seconds / static_cast<double>(run.frames),
                app.model().probe_colours);
  }
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
#endif
  return 0;
}
