"""The published scripts the corpus runs (paths in the Learning System
Guides), and what is known about the differences between the two runs."""

# Each runs unmodified and reaches the network on both firmwares. Left out:
# scripts for AirLift (ESP32SPI) and WIZnet5k boards (their radio and pool
# libraries are not stood in for yet), scripts that open font or bitmap files
# from the board's root, and scripts that never reach a request because a
# sensor stub's value is formatted with "{:.1f}" or compared with a number.
# IoT_Christmas_Lights_Switch and MEMENTO/IoT_Bird_Feeder loop without
# sleeping or reading the clock, so the virtual clock cannot end them and how
# many requests they send depends on the machine's speed.
SCRIPTS = [
    "Adafruit_Feather_ESP32-S2/CircuitPython_BME280_DeepSleep_AdafruitIO/code.py",
    "Adafruit_Feather_TFT_ESP32-S2/TFT_GitHub_Stars/code.py",
    "CircuitPython_Day_2024_Projects/Qualia_820x320_IO_Countdown/code.py",
    "CircuitPython_MP3StreamPlayer/code.py",
    "CircuitPython_Mastodon_API_Examples/Read_From_Mastodon/code.py",
    "ESP32-S2_TFT_AS7341_Color_Detection/code.py",
    "ESP32-S2_TFT_Color_Detection/code.py",
    "ESP32-S2_TFT_Mini_Weather_Station/code.py",
    "ESP32_S2_Reverse_TFT_Digital_Clock/code.py",
    "ESP32_S2_WiFi_Tests/CPy_Native_WiFi_Test/code.py",
    "ESP32_S2_WiFi_Tests/code.py",
    "Elgato_WiFi_Light_Controller/code.py",
    "Epaper_Camera/magtag_code.py",
    "Feather_TFT_Battery_Monitor/code.py",
    "Ikea_Vindriktning_QT_Py_ESP32-S3/code.py",
    "IoT_Button_BFF_Examples/CircuitPython_Simple_IO_Example/code.py",
    "ItsyBitsy/ItsyBitsy_ESP32_ProductGuide/CircuitPython_WiFi_Test/code.py",
    "MEMENTO/Memento_IOT_Doorbell/code.py",
    "MEMENTO/Memento_itsaSNAP_Capture_Cam/code.py",
    "MagTag/MagTag_50Cent_CPI/code.py",
    "MagTag/MagTag_Haiku_Viewer/code.py",
    "MagTag/MagTag_Webb_Telescope_Status/deprecated_original_version/code.py",
    "Matrix_Portal/FIFA_World_Cup_Display/code.py",
    "Matrix_Portal/Matrix_Portal_S3_ESPN_API/CircuitPython/code.py",
    "Moon_Flight_Tracker/code.py",
    "NeoPixel_Sprite_Weather_Display/code.py",
    "OctoPrint_MQTT_Controller/code.py",
    "Pi_In_Stock_Notifier/code.py",
    "Pico_W_CircuitPython_WiFi_Examples/Pico_W_Adafruit_IO/code.py",
    "Pico_W_CircuitPython_WiFi_Examples/Pico_W_JSON_Feed/code.py",
    "Pico_W_CircuitPython_WiFi_Examples/Pico_W_Requests/code.py",
    "Pico_W_CircuitPython_WiFi_Examples/Pico_W_Twitter_Feed/code.py",
    "QT_Py/AT_Py_ESP32-S2_Sunrise_Lamp/AIO/code.py",
    "QT_Py/NeoPixel_Moon_Phase_Clock/code.py",
    "Qualia/Qualia_S3_Theme_Park_Display/code.py",
    "Qualia_S3_Space_Clock/code.py",
    "Scrolling_Alphanumeric_Countdown_Clock/code.py",
    "Star_Fragment_Lamp/code.py",
    "Two_Way_Servo_Telegraph/code.py",
    "Weather_Wise_Umbrella_Stand/code.py",
    "Xteink_X4_Examples/Xteink_X4_Weather/code.py",
    "oshwa_magtag_display/code.py",
]

# script -> (the reference bug SPEC fixes, with its SPEC line; the name of
# the check in test_published_scripts.py that the runs differ by that alone).
KNOWN_DIFFERENCES = {
    # http://{light}:9123/elgato/lights: the module sends "Host: name:9123",
    # the reference drops the port. SPEC section 2: "fix: `Host` carries
    # `:port` when the port is not the scheme's default."
    "Elgato_WiFi_Light_Controller/code.py": (
        "Host without the port", "host_port"),
    # The script reads the start of a body (adafruit_json_stream over
    # iter_content) and sends its next request. The reference reuses the
    # socket with the rest of the old body still on it, reads the old body's
    # first byte where it expects the "H" of the new status line, closes the
    # socket and sends the request again on a new connection; the
    # module drains the remainder and sends each request once on the same
    # connection. SPEC section 4: "fix: closing a response with unread body
    # drains a small remainder (bounded) so the socket can be reused"; section 6:
    # "stale bytes are never read as the next response".
    "Matrix_Portal/Matrix_Portal_S3_ESPN_API/CircuitPython/code.py": (
        "the reference resends every request after a partly read body",
        "reference_resends"),
}
